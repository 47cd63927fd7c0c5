/target/
/build/
