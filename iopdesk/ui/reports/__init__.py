"""The Reports area's parts (ui.areas.reports): the week's hours table and the CSV save."""
