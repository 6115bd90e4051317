import { describe, expect, it } from 'vitest';
import { parseEventLogs, zeroAddress, type TransactionReceipt } from 'viem';
import { certifierRegistryAbi, certifierRegistryBytecode, entranceAbi } from '../../contracts/index.js';
import {
  acceptRegistryOwnership,
  addCertifier,
  certifiers,
  isCertificateRevoked,
  isCertifier,
  registryOwner,
  registryPendingOwner,
  revokeCertificate,
  revokeCertifier,
  rotateCertifier,
  transferRegistryOwnership,
} from '../../harness/chain/certifiers.js';
import { bytes32, throwawayAccount } from './certificates.js';
import { expectRevert, useWorld } from './fixture.js';

const world = useWorld();

const [A, B, C, D] = ['a', 'b', 'c', 'd'].map((l) => throwawayAccount(l).address) as [
  `0x${string}`,
  `0x${string}`,
  `0x${string}`,
  `0x${string}`,
];

function registryEvents(receipt: TransactionReceipt) {
  return parseEventLogs({ abi: certifierRegistryAbi, logs: receipt.logs }).map((e) => ({
    event: e.eventName,
    args: e.args,
  }));
}

describe('CertifierRegistry', () => {
  it('deployAll deploys it owned by the deployer, empty, and wires it into the Entrance', async () => {
    const { d, test, deployer } = world();
    expect(await registryOwner(test, d.certifierRegistry)).toBe(deployer.account.address);
    expect(await registryPendingOwner(test, d.certifierRegistry)).toBe(zeroAddress);
    expect(await certifiers(test, d.certifierRegistry)).toEqual([]);
    expect(
      await test.readContract({ address: d.entrance, abi: entranceAbi, functionName: 'certifierRegistry' }),
    ).toBe(d.certifierRegistry);
  });

  it('the constructor refuses a zero owner (ZeroAddress) and emits OwnershipTransferred from zero', async () => {
    const { deployer, send, stranger } = world();
    await expectRevert(
      deployer.deployContract({
        abi: certifierRegistryAbi,
        bytecode: certifierRegistryBytecode,
        args: [zeroAddress],
      }),
      'ZeroAddress',
    );
    const receipt = await send(
      deployer.deployContract({
        abi: certifierRegistryAbi,
        bytecode: certifierRegistryBytecode,
        args: [stranger.account.address],
      }),
    );
    expect(registryEvents(receipt)).toEqual([
      {
        event: 'OwnershipTransferred',
        args: { previousOwner: zeroAddress, newOwner: stranger.account.address },
      },
    ]);
  });

  it('addCertifier: CertifierAdded, isCertifier, certifiers() in order; AlreadyCertifier, ZeroAddress, NotOwner', async () => {
    const { d, test, deployer, stranger, send } = world();
    const r = d.certifierRegistry;
    const receipt = await send(addCertifier(deployer, r, A));
    expect(registryEvents(receipt)).toEqual([{ event: 'CertifierAdded', args: { certifier: A } }]);
    await send(addCertifier(deployer, r, B));
    expect(await certifiers(test, r)).toEqual([A, B]);
    expect(await isCertifier(test, r, A)).toBe(true);
    expect(await isCertifier(test, r, C)).toBe(false);
    await expectRevert(addCertifier(deployer, r, A), 'AlreadyCertifier', [A]);
    await expectRevert(addCertifier(deployer, r, zeroAddress), 'ZeroAddress');
    await expectRevert(addCertifier(stranger, r, C), 'NotOwner');
    expect(await certifiers(test, r)).toEqual([A, B]);
  });

  it('revokeCertifier: CertifierRevoked, the last certifier fills the gap; NotACertifier, NotOwner', async () => {
    const { d, test, deployer, stranger, send } = world();
    const r = d.certifierRegistry;
    for (const c of [A, B, C]) await send(addCertifier(deployer, r, c));
    await expectRevert(revokeCertifier(stranger, r, A), 'NotOwner');
    const receipt = await send(revokeCertifier(deployer, r, A));
    expect(registryEvents(receipt)).toEqual([{ event: 'CertifierRevoked', args: { certifier: A } }]);
    expect(await certifiers(test, r)).toEqual([C, B]);
    expect(await isCertifier(test, r, A)).toBe(false);
    await expectRevert(revokeCertifier(deployer, r, A), 'NotACertifier', [A]);
    await expectRevert(revokeCertifier(deployer, r, D), 'NotACertifier', [D]);
    await send(revokeCertifier(deployer, r, B)); // the last one
    expect(await certifiers(test, r)).toEqual([C]);
    await send(revokeCertifier(deployer, r, C));
    expect(await certifiers(test, r)).toEqual([]);
    // A revoked certifier can be added again.
    await send(addCertifier(deployer, r, A));
    expect(await certifiers(test, r)).toEqual([A]);
  });

  it('rotateCertifier swaps in place in one transaction (CertifierRotated); ZeroAddress, NotACertifier, AlreadyCertifier, NotOwner', async () => {
    const { d, test, deployer, stranger, send } = world();
    const r = d.certifierRegistry;
    for (const c of [A, B, C]) await send(addCertifier(deployer, r, c));
    const receipt = await send(rotateCertifier(deployer, r, B, D));
    expect(registryEvents(receipt)).toEqual([
      { event: 'CertifierRotated', args: { oldCertifier: B, newCertifier: D } },
    ]);
    expect(await certifiers(test, r)).toEqual([A, D, C]);
    expect(await isCertifier(test, r, B)).toBe(false);
    expect(await isCertifier(test, r, D)).toBe(true);
    await expectRevert(rotateCertifier(stranger, r, A, B), 'NotOwner');
    await expectRevert(rotateCertifier(deployer, r, A, zeroAddress), 'ZeroAddress');
    await expectRevert(rotateCertifier(deployer, r, B, A), 'NotACertifier', [B]);
    await expectRevert(rotateCertifier(deployer, r, A, C), 'AlreadyCertifier', [C]);
    await expectRevert(rotateCertifier(deployer, r, A, A), 'AlreadyCertifier', [A]);
    // The rotated-out certifier may come back as someone's replacement.
    await send(rotateCertifier(deployer, r, D, B));
    expect(await certifiers(test, r)).toEqual([A, B, C]);
  });

  it('revokeCertificate: CertificateRevoked, isRevoked, once only (AlreadyRevoked); NotOwner', async () => {
    const { d, test, deployer, stranger, send } = world();
    const r = d.certifierRegistry;
    const statement = bytes32('a statement');
    expect(await isCertificateRevoked(test, r, statement)).toBe(false);
    await expectRevert(revokeCertificate(stranger, r, statement), 'NotOwner');
    const receipt = await send(revokeCertificate(deployer, r, statement));
    expect(registryEvents(receipt)).toEqual([{ event: 'CertificateRevoked', args: { statement } }]);
    expect(await isCertificateRevoked(test, r, statement)).toBe(true);
    expect(await isCertificateRevoked(test, r, bytes32('another'))).toBe(false);
    await expectRevert(revokeCertificate(deployer, r, statement), 'AlreadyRevoked', [statement]);
  });

  it('ownership moves in two steps: transferOwnership names, acceptOwnership takes; NotOwner, ZeroAddress, NotPendingOwner', async () => {
    const { d, test, deployer, user, stranger, send } = world();
    const r = d.certifierRegistry;
    const owner = deployer.account.address;
    await expectRevert(transferRegistryOwnership(stranger, r, stranger.account.address), 'NotOwner');
    await expectRevert(transferRegistryOwnership(deployer, r, zeroAddress), 'ZeroAddress');
    await expectRevert(acceptRegistryOwnership(stranger, r), 'NotPendingOwner');

    const started = await send(transferRegistryOwnership(deployer, r, user.account.address));
    expect(registryEvents(started)).toEqual([
      { event: 'OwnershipTransferStarted', args: { previousOwner: owner, newOwner: user.account.address } },
    ]);
    // Nothing changes until accepted: the owner still acts, the pending owner does not.
    expect(await registryOwner(test, r)).toBe(owner);
    expect(await registryPendingOwner(test, r)).toBe(user.account.address);
    await expectRevert(addCertifier(user, r, A), 'NotOwner');
    await send(addCertifier(deployer, r, A));

    // Naming someone else replaces the pending owner.
    await send(transferRegistryOwnership(deployer, r, stranger.account.address));
    await expectRevert(acceptRegistryOwnership(user, r), 'NotPendingOwner');

    const accepted = await send(acceptRegistryOwnership(stranger, r));
    expect(registryEvents(accepted)).toEqual([
      { event: 'OwnershipTransferred', args: { previousOwner: owner, newOwner: stranger.account.address } },
    ]);
    expect(await registryOwner(test, r)).toBe(stranger.account.address);
    expect(await registryPendingOwner(test, r)).toBe(zeroAddress);
    await expectRevert(acceptRegistryOwnership(stranger, r), 'NotPendingOwner');
    await expectRevert(addCertifier(deployer, r, B), 'NotOwner');
    await send(revokeCertifier(stranger, r, A));
    expect(await certifiers(test, r)).toEqual([]);
  });
});
