__pycache__/
/target/
