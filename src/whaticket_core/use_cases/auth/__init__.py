"""Accounts and sessions: register, log in, refresh and log out, and the bearer check every request pays.

``token_steps`` holds the step these share (issuing a token pair).
"""
