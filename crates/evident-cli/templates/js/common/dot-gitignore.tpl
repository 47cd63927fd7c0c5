node_modules/
/target/
