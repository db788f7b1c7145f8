def scratch_only():
    return None
