"""One spider per site family: pretalx, frab, pyvideo, proceedings."""
