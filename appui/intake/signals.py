from django.dispatch import Signal

#: Sent inside the transaction that records an answer to a request (`response`, `membership`,
#: and for an accompaniment `level` and `case_manager`): higher apps react (care opens the episode).
response_given = Signal()
