{"type": "increment", "by": 2}
