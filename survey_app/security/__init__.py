"""Who may do what, and how much: log-in and roles (`auth`), the slowing of wrong passwords
(`login_throttle`), rate limits per address (`rate_limits`) and the size of what a request may send
(`request_limits`). Sessions themselves are Flask's own signed cookies."""
