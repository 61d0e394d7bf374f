// The example's OAuth endpoints as oauth4webapi 3 and openid-client 6 use them (issue 14 #10): RFC 8414 discovery,
// tokens with client_secret_basic and client_secret_post, and a failed form-post authentication that surfaces as
// the invalid_client error, not as a Basic challenge. Exits 1 on the first surprise.
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'

const base = process.env.KEYS_URL ?? 'http://localhost:8080', adminKey = process.env.KEYS_ADMIN_KEY
if (!adminKey) { console.error('set KEYS_ADMIN_KEY to the example\'s admin key'); process.exit(2) }
const created = await fetch(`${base}/admin/v1/clients`, {
  method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'discovery check', roles: ['reader'] }),
})
if (created.status !== 201) throw new Error(`POST /admin/v1/clients answered ${created.status}`)
const { clientId, clientSecret } = await created.json()
const issuer = new URL(base)
const insecure = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' }

const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
console.log('oauth4webapi: discovered', as.token_endpoint)
for (const [name, auth] of [['client_secret_basic', oauth.ClientSecretBasic(clientSecret)], ['client_secret_post', oauth.ClientSecretPost(clientSecret)]]) {
  const r = await oauth.clientCredentialsGrantRequest(as, { client_id: clientId }, auth, new URLSearchParams(), insecure)
  const t = await oauth.processClientCredentialsResponse(as, { client_id: clientId }, r)
  console.log(`oauth4webapi: ${name} token, scope "${t.scope}"`)
}
try {
  const r = await oauth.clientCredentialsGrantRequest(as, { client_id: clientId }, oauth.ClientSecretPost('cs_wrong'), new URLSearchParams(), insecure)
  await oauth.processClientCredentialsResponse(as, { client_id: clientId }, r)
  throw new Error('a wrong secret got a token')
} catch (e) {
  if (!(e instanceof oauth.ResponseBodyError) || e.error !== 'invalid_client') throw e
  console.log('oauth4webapi: a wrong form-post secret is invalid_client')
}

const execute = issuer.protocol === 'http:' ? [client.allowInsecureRequests] : []
const config = await client.discovery(issuer, clientId, undefined, client.ClientSecretPost(clientSecret), { algorithm: 'oauth2', execute })
console.log('openid-client: token', (await client.clientCredentialsGrant(config)).token_type)
