# Django's Vietnamese formats set the separators but no grouping, which would print 100000 for 100.000.
NUMBER_GROUPING = 3
