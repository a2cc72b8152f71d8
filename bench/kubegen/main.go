// Command kubegen writes the benchmarks' generated set of Kubernetes objects
// into a folder, to time a whole `golive check` process over it:
//
//	go run ./bench/kubegen -objects 100000 -out DIR
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"golive.dev/golive/bench/kubeset"
)

func main() {
	objects := flag.Int("objects", 10000, "objects to write (whole 5-object apps)")
	out := flag.String("out", "", "output folder (created)")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	n, err := kubeset.Write(*out, *objects)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
}
