# Global variables rebound and mutated from inside functions.
counter = 0
history = []
config = {"verbose": False}


def bump(by):
    global counter
    counter += by
    history.append(counter)


def toggle():
    config["verbose"] = not config["verbose"]


for step in (1, 2, 3):
    bump(step)
toggle()
print(counter, history, config)
