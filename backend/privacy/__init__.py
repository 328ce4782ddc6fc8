"""Personal data export, rectification, erasure and retention."""
