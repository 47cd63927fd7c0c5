/target/
/build/
node_modules/
