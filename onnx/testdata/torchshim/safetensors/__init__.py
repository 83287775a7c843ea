"""A stand-in for the safetensors package where it is not installed (Debian
ships none): TestPyTorchStrict puts this folder on PYTHONPATH only when
`import safetensors.torch` fails, so the README's snippet runs unchanged."""
