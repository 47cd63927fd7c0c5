{
  "name": "{{name}}",
  "private": true,
  "description": "An Evident {{kind}} component in JavaScript",
  "type": "module",
  "scripts": {
    "test": "node --test"
  },
  "dependencies": {
    "evident": "{{sdk_package_version}}"
  }
}
