"""`make demo`: the main job end to end, from TLC files to a report from the warehouse."""
