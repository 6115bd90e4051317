module oneclick.test/orgnode-api

go 1.22
