"""The Django + DRF peer of beian for `make bench` (bench/django/)."""
