module oneclick/netprobe

go 1.22
