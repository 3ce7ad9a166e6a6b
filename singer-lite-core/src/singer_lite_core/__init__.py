"""Shared plumbing of tap-nyc-taxi, target-postgres-lite and target-bigquery-lite.

Every connector speaks Singer the same way, reads settings the same way and
fails the same way, so those rules live here once.
"""
