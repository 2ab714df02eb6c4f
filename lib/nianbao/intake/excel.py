"""Excel intake (being written)."""

def read(path):
    raise NotImplementedError
