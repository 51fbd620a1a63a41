"""The framework's exchange formats: the JSON document and its checks (`document.py`), COINr's iMeta (`imeta.py`)."""
