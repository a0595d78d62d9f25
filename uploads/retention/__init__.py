"""What the portal destroys and when (erasure, retention purge, destruction records), and master-key rotation."""
