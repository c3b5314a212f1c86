package main

import "errors"

// errUsage reports that a subcommand already printed its usage for bad flags.
var errUsage = errors.New("usage")
