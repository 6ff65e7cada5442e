# An infinite loop inside C code: no steps at all, only the wall clock can end it.
import itertools

sum(itertools.count())
