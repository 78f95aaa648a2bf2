def import_rpps(data, report):
    raise NotImplementedError
