"""Grand Shooting webhooks: a receiver that spools pushed events, and a drainer that lands them."""
