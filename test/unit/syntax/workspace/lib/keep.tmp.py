def kept_helper():
    return None
