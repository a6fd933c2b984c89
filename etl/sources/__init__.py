"""Source declarations: one module per platform, each exporting a `SOURCE`."""
