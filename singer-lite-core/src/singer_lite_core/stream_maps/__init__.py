"""singer-sdk's inline stream maps and schema flattening, for the tap and the targets alike.

The semantics (which streams come out, their schemas and key properties,
which rows and values) are singer-sdk's (`singer_sdk/mapper.py`); the tap
applies them to whole Arrow tables, vectorised where an expression allows,
and the targets to the records of each RECORD run.
"""
