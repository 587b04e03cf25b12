"""The Schedule area's parts: the week view of a track, and the dialogs administrators edit
the schedule with (weekly blocks, closures, one meeting at a time)."""
