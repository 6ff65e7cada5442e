# Exceptions raised in a nested call and caught by a caller; a custom exception class.
class ValidationError(Exception):
    pass


def parse_age(text):
    value = int(text)
    if value < 0:
        raise ValidationError("negative age: " + text)
    return value


def safe_parse(text):
    try:
        return parse_age(text)
    except ValueError as e:
        return "bad: " + str(e)
    except ValidationError as e:
        return "invalid: " + str(e)


results = [safe_parse(t) for t in ["42", "abc", "-3"]]
try:
    {}["missing"]
except KeyError as err:
    missing = repr(err)
print(results, missing)
