/target/
