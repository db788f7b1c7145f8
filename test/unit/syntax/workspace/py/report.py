# The plugin loader injects these names at run time, so nothing here imports them.


def summary(shape):
    return polygon_area(shape, 
