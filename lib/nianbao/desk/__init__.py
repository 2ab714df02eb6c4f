"""The desk: where review starts and where reviewers decide, above the batch whose outputs it reads.

    index.py     the index of an output folder (every report, worst first, and every finding)
                 and each agency's history page
    compare.py   the year-on-year pages an agency's history page links
    server.py    `nianbao review`: the output folder served on 127.0.0.1, a form per finding
"""
