module oneclick-skeleton

go 1.19
