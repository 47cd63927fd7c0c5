__pycache__/
/target/
.venv/
