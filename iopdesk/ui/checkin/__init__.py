"""The Check-in area's parts: its lists (models), texts, and the small dialogs of its actions."""
