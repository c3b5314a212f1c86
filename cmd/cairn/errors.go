package main

import "errors"

// errUsage reports that a subcommand already printed its usage for bad flags.
var errUsage = errors.New("usage")

// errHelp reports that a subcommand printed its help on request.
var errHelp = errors.New("help")
