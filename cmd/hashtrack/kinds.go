package main

import (
	"github.com/tinhdoandaklak/hashtrack/collector"
)

// kinds maps a [[source]] kind to the constructor of its collector. The constructor
// checks the source's kind options and fails naming the bad one.
var kinds = map[string]func(collector.Source) (collector.Collector, error){}
