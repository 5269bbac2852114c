package realenv_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/orrerysim/orrery/env/realenv"
)

// An Env on the operating system, its disk confined to a directory.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "realenv")
	defer os.RemoveAll(dir)
	e, err := realenv.New(realenv.Options{Name: "db", Root: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	f, _ := e.Disk().Create(ctx, "data/greeting")
	f.Write([]byte("hello"))
	f.Sync()
	f.Close()
	g, _ := e.Disk().Open(ctx, "data/greeting")
	b, _ := io.ReadAll(g)
	fmt.Println(e.Name(), string(b))
	// Output: db hello
}
