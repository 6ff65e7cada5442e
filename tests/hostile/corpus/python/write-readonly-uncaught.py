with open("/opt/tracecast/tracer.py", "w") as fh:
    fh.write("print('owned')\n")
