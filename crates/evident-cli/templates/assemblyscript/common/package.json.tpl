{
  "name": "{{name}}",
  "private": true,
  "description": "An Evident {{kind}} component in AssemblyScript",
  "dependencies": {
    "evident": "npm:evident-assemblyscript@{{sdk_package_version}}"
  }
}
