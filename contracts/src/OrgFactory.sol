// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Org} from "./Org.sol";

contract OrgFactory {
    event OrgCreated(address org, address owner);

    function createOrg(address owner) external returns (address org) {
        org = address(new Org(owner));
        emit OrgCreated(org, owner);
    }
}
