// The test ground's EKS endpoint, pinned to the EKS API model: every answer is read back by the
// SDK's own EKSClient (its restJson1 deserialisers and error registry), so a shape, status or
// error name that differs from the model fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreatePodIdentityAssociationCommand,
  DeleteAddonCommand,
  DeletePodIdentityAssociationCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  InvalidParameterException,
  InvalidRequestException,
  ListAddonsCommand,
  ListPodIdentityAssociationsCommand,
  paginateListPodIdentityAssociations,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { type EksEndpoint, startEksEndpoint } from '../support/eks-endpoint/index.js';
import { type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;

let moto: Moto;
let endpoint: EksEndpoint;
let eks: EKSClient;
let west: EKSClient;
const clientFor = (region: string) =>
  new EKSClient({
    region,
    endpoint: endpoint.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
let clusterCount = 0;
/** A fresh cluster per test, created through the endpoint (so forwarding to moto is exercised). */
async function newCluster(client = eks): Promise<string> {
  const name = `pi-${++clusterCount}`;
  await client.send(
    new CreateClusterCommand({
      name,
      roleArn: role('eks-cluster'),
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    }),
  );
  return name;
}
const create = (clusterName: string, namespace: string, serviceAccount: string, extra = {}) =>
  eks.send(
    new CreatePodIdentityAssociationCommand({
      clusterName,
      namespace,
      serviceAccount,
      roleArn: role(`r-${serviceAccount}`),
      ...extra,
    }),
  );

before(async () => {
  moto = await startMoto();
  endpoint = await startEksEndpoint(moto.url);
  eks = clientFor('us-east-1');
  west = clientFor('us-west-2');
});
after(async () => {
  eks.destroy();
  west.destroy();
  await endpoint.close();
  await moto.close();
});

describe('forwarding', () => {
  test('every other EKS call reaches moto unchanged', async () => {
    const name = await newCluster();
    const out = await eks.send(new DescribeClusterCommand({ name }));
    assert.equal(out.cluster?.arn, `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${name}`);
    assert.match(out.cluster?.identity?.oidc?.issuer ?? '', /^https:\/\/oidc\.eks\./);
    const forwarded = endpoint.requests.filter((r) => !r.served && r.status === 200);
    assert.ok(forwarded.some((r) => r.method === 'GET' && r.path === `/clusters/${name}`));
  });
});

describe('Pod Identity associations', () => {
  test('create answers with the model PodIdentityAssociation of what was sent', async () => {
    const c = await newCluster();
    const before = Date.now();
    const { association: a } = await create(c, 'apps', 'web', { tags: { team: 'a' } });
    assert.ok(a);
    assert.equal(a.clusterName, c);
    assert.equal(a.namespace, 'apps');
    assert.equal(a.serviceAccount, 'web');
    assert.equal(a.roleArn, role('r-web'));
    assert.deepEqual(a.tags, { team: 'a' });
    assert.equal(a.disableSessionTags, false);
    assert.equal(a.ownerArn, undefined);
    assert.equal(a.targetRoleArn, undefined);
    assert.match(a.associationId ?? '', /^a-[a-z0-9]{17}$/);
    assert.equal(
      a.associationArn,
      `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/${c}/${a.associationId}`,
    );
    // Timestamps are epoch seconds on the wire; the SDK turns them into Dates.
    assert.ok(a.createdAt instanceof Date && a.modifiedAt instanceof Date);
    assert.ok(Math.abs((a.createdAt?.getTime() ?? 0) - before) < 60_000);
    const { association: read } = await eks.send(
      new DescribePodIdentityAssociationCommand({ clusterName: c, associationId: a.associationId }),
    );
    assert.deepEqual(read, a);
  });

  test('a second association for the same service account is ResourceInUseException (409)', async () => {
    const c = await newCluster();
    const { association: first } = await create(c, 'apps', 'web');
    await assert.rejects(create(c, 'apps', 'web'), (e: unknown) => {
      assert.ok(e instanceof ResourceInUseException, String(e));
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.clusterName, c);
      assert.match(e.message, new RegExp(`Association already exists: ${first?.associationId}`));
      return true;
    });
    // The same request retried with its idempotency token gets the association it made.
    const token = 'retry-token-1';
    const { association: made } = await create(c, 'apps', 'api', { clientRequestToken: token });
    const { association: again } = await create(c, 'apps', 'api', { clientRequestToken: token });
    assert.equal(again?.associationId, made?.associationId);
  });

  test('update changes the role, target role and session tags; delete removes it', async () => {
    const c = await newCluster();
    const { association: a } = await create(c, 'apps', 'web');
    const id = a?.associationId;
    const { association: u } = await eks.send(
      new UpdatePodIdentityAssociationCommand({
        clusterName: c,
        associationId: id,
        roleArn: role('other'),
        targetRoleArn: role('target', '210987654321'),
        disableSessionTags: true,
      }),
    );
    assert.equal(u?.roleArn, role('other'));
    assert.equal(u?.targetRoleArn, role('target', '210987654321'));
    assert.equal(u?.disableSessionTags, true);
    assert.match(u?.externalId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(u?.associationId, id);
    assert.deepEqual(u?.createdAt, a?.createdAt);
    assert.ok((u?.modifiedAt?.getTime() ?? 0) >= (a?.modifiedAt?.getTime() ?? 0));
    const { association: d } = await eks.send(
      new DeletePodIdentityAssociationCommand({ clusterName: c, associationId: id }),
    );
    assert.deepEqual(d, u);
    for (const call of [
      new DescribePodIdentityAssociationCommand({ clusterName: c, associationId: id }),
      new DeletePodIdentityAssociationCommand({ clusterName: c, associationId: id }),
      new UpdatePodIdentityAssociationCommand({
        clusterName: c,
        associationId: id,
        roleArn: role('x'),
      }),
    ]) {
      await assert.rejects(eks.send(call as any), (e: unknown) => {
        assert.ok(e instanceof ResourceNotFoundException, String(e));
        assert.equal(e.$metadata.httpStatusCode, 404);
        return true;
      });
    }
  });

  test('list pages with maxResults/nextToken, filters, and omits role, times and tags', async () => {
    const c = await newCluster();
    const made: string[] = [];
    for (const [ns, sa] of [
      ['a', 's1'],
      ['a', 's2'],
      ['b', 's1'],
      ['a', 's3'],
      ['b', 's2'],
    ] as const) {
      made.push((await create(c, ns, sa, { tags: { k: 'v' } })).association?.associationId ?? '');
    }
    const first = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: c, maxResults: 2 }),
    );
    assert.equal(first.associations?.length, 2);
    assert.ok(first.nextToken);
    assert.deepEqual(Object.keys(first.associations?.[0] ?? {}).sort(), [
      'associationArn',
      'associationId',
      'clusterName',
      'namespace',
      'serviceAccount',
    ]);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateListPodIdentityAssociations(
      { client: eks, pageSize: 2 },
      { clusterName: c },
    )) {
      pages++;
      ids.push(...(page.associations ?? []).map((s) => s.associationId ?? ''));
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids, made);
    const inA = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: c, namespace: 'a' }),
    );
    assert.deepEqual(
      inA.associations?.map((s) => s.serviceAccount),
      ['s1', 's2', 's3'],
    );
    assert.equal(inA.nextToken, undefined);
    const one = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: c,
        namespace: 'b',
        serviceAccount: 's2',
      }),
    );
    assert.deepEqual(
      one.associations?.map((s) => `${s.namespace}/${s.serviceAccount}`),
      ['b/s2'],
    );
    // A page token stays good when the association it ended on is deleted meanwhile.
    const page1 = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: c, maxResults: 2 }),
    );
    await eks.send(
      new DeletePodIdentityAssociationCommand({ clusterName: c, associationId: made[1] }),
    );
    const page2 = await eks.send(
      new ListPodIdentityAssociationsCommand({
        clusterName: c,
        maxResults: 2,
        nextToken: page1.nextToken,
      }),
    );
    assert.deepEqual(
      page2.associations?.map((s) => s.associationId),
      [made[2], made[3]],
    );
    for (const bad of [{ maxResults: 0 }, { maxResults: 101 }, { nextToken: 'garbage' }]) {
      await assert.rejects(
        eks.send(new ListPodIdentityAssociationsCommand({ clusterName: c, ...bad })),
        InvalidParameterException,
      );
    }
  });

  test('bad input is InvalidParameterException naming the cluster', async () => {
    const c = await newCluster();
    const cases: Record<string, unknown>[] = [
      { roleArn: 'not-an-arn' },
      { roleArn: role('elsewhere', '210987654321') },
      { tags: { 'aws:owner': 'x' } },
      { tags: { ['k'.repeat(129)]: 'x' } },
      { policy: '{"Version":"2012-10-17","Statement":[]}' },
      { targetRoleArn: 'arn:aws:s3:::bucket' },
    ];
    for (const extra of cases) {
      await assert.rejects(create(c, 'apps', 'web', extra), (e: unknown) => {
        assert.ok(e instanceof InvalidParameterException, `${JSON.stringify(extra)}: ${e}`);
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.equal(e.clusterName, c);
        return true;
      });
    }
    assert.deepEqual(endpoint.associations(c), []);
    // With session tags disabled, a session policy is allowed.
    const { association } = await create(c, 'apps', 'web', {
      disableSessionTags: true,
      policy: '{"Version":"2012-10-17","Statement":[]}',
    });
    assert.equal(association?.policy, '{"Version":"2012-10-17","Statement":[]}');
  });

  test('a cluster moto does not know is ResourceNotFoundException', async () => {
    await assert.rejects(create('no-such-cluster', 'apps', 'web'), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException, String(e));
      assert.equal(e.clusterName, 'no-such-cluster');
      assert.match(e.message, /No cluster found for name: no-such-cluster/);
      return true;
    });
  });

  test('state is per cluster and per region', async () => {
    const c1 = await newCluster();
    const c2 = await newCluster();
    await create(c1, 'apps', 'web');
    await create(c2, 'apps', 'web');
    // The same cluster name in another region is another cluster.
    await west.send(
      new CreateClusterCommand({
        name: c1,
        roleArn: role('eks-cluster'),
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      }),
    );
    const inWest = await west.send(new ListPodIdentityAssociationsCommand({ clusterName: c1 }));
    assert.deepEqual(inWest.associations, []);
    const { association } = await west.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: c1,
        namespace: 'apps',
        serviceAccount: 'web',
        roleArn: role('r-web'),
      }),
    );
    assert.match(association?.associationArn ?? '', /^arn:aws:eks:us-west-2:/);
    assert.equal(endpoint.associations(c1).length, 1);
    assert.equal(endpoint.associations(c1, 'us-west-2').length, 1);
  });

  test('errors carry x-amzn-errortype and a JSON body, as restJson1 expects', async () => {
    const res = await fetch(`${endpoint.url}/clusters/absent/pod-identity-associations`, {
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/eks/aws4_request',
      },
    });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.clusterName, 'absent');
    assert.match(body.message ?? '', /No cluster found/);
  });
});

describe('add-ons', () => {
  test('DescribeAddon of an add-on not installed is ResourceNotFoundException', async () => {
    const c = await newCluster();
    await assert.rejects(
      eks.send(new DescribeAddonCommand({ clusterName: c, addonName: 'eks-pod-identity-agent' })),
      (e: unknown) => {
        assert.ok(e instanceof ResourceNotFoundException, String(e));
        assert.equal(e.addonName, 'eks-pod-identity-agent');
        return true;
      },
    );
  });

  test('CreateAddon answers CREATING, then the add-on is ACTIVE; a second is ResourceInUse', async () => {
    const c = await newCluster();
    const { addon } = await eks.send(
      new CreateAddonCommand({ clusterName: c, addonName: 'eks-pod-identity-agent' }),
    );
    assert.equal(addon?.status, 'CREATING');
    assert.equal(addon?.addonName, 'eks-pod-identity-agent');
    assert.match(addon?.addonVersion ?? '', /^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    assert.match(
      addon?.addonArn ?? '',
      new RegExp(`^arn:aws:eks:us-east-1:${ACCOUNT}:addon/${c}/eks-pod-identity-agent/`),
    );
    assert.deepEqual(addon?.health, { issues: [] });
    const { addon: read } = await eks.send(
      new DescribeAddonCommand({ clusterName: c, addonName: 'eks-pod-identity-agent' }),
    );
    assert.equal(read?.status, 'ACTIVE');
    assert.ok(read?.createdAt instanceof Date);
    endpoint.setAddonStatus(c, 'eks-pod-identity-agent', 'DEGRADED');
    const { addon: degraded } = await eks.send(
      new DescribeAddonCommand({ clusterName: c, addonName: 'eks-pod-identity-agent' }),
    );
    assert.equal(degraded?.status, 'DEGRADED');
    await assert.rejects(
      eks.send(new CreateAddonCommand({ clusterName: c, addonName: 'eks-pod-identity-agent' })),
      ResourceInUseException,
    );
    await assert.rejects(
      eks.send(new CreateAddonCommand({ clusterName: c, addonName: 'no-such-addon' })),
      InvalidParameterException,
    );
  });

  test('an add-on owns the associations it creates; they change only through it', async () => {
    const c = await newCluster();
    const { addon } = await eks.send(
      new CreateAddonCommand({
        clusterName: c,
        addonName: 'aws-ebs-csi-driver',
        podIdentityAssociations: [
          { serviceAccount: 'ebs-csi-controller-sa', roleArn: role('ebs') },
        ],
      }),
    );
    assert.equal(addon?.podIdentityAssociations?.length, 1);
    const { associations } = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName: c }),
    );
    assert.equal(associations?.[0]?.ownerArn, addon?.addonArn);
    assert.equal(associations?.[0]?.namespace, 'kube-system');
    await assert.rejects(
      eks.send(
        new UpdatePodIdentityAssociationCommand({
          clusterName: c,
          associationId: associations?.[0]?.associationId,
          roleArn: role('mine'),
        }),
      ),
      InvalidRequestException,
    );
    const listed = await eks.send(new ListAddonsCommand({ clusterName: c }));
    assert.deepEqual(listed.addons, ['aws-ebs-csi-driver']);
    await eks.send(new DeleteAddonCommand({ clusterName: c, addonName: 'aws-ebs-csi-driver' }));
    assert.deepEqual(endpoint.associations(c), []);
  });
});
