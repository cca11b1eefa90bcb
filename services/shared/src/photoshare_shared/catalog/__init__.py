"""The DynamoDB catalog: the repository of photo items, one module per job.

item.py is the item's shape (attributes, keys, indexes, the table definition); photos.py reads and
writes single photos and pages; attention.py queries the sparse index of photos not yet READY;
listing.py and cursor.py are the newest-first lists and their page cursors.
"""
