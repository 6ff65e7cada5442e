# Invalid UTF-8 through every path: raw descriptor writes and lone surrogates through print.
import os
import sys

os.write(2, b"raw:\xff\xfe\xc0\x80\xed\xa0\x80:end\n")
os.write(1, b"fd1:\x80\x81\n")
print("surrogate:\udcff\ud800:end")
sys.stderr.write("err-surrogate:\udfff\n")
print("done")
