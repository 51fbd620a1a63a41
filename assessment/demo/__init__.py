"""Demo data: the pure latent model (latents.py) and its writing through the workflow services (load.py)."""
