import { Client, type InMemoryTransport as ClientMemory } from '@modelcontextprotocol/client'
import { InMemoryTransport, inputRequired, McpServer } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, it } from 'vitest'
import { createHandleCodec } from '../src/handle-codec.js'
import { createRequestStateVerifier } from '../src/request-state.js'

/**
 * The SDK 2.x seam end to end: a real McpServer and Client. A 2025-era client gets the rounds
 * run in-process by the SDK's legacy shim, which calls the same `requestState.verify` between
 * rounds as a 2026-07-28 client's retry would.
 */
describe('createRequestStateVerifier (SDK 2.x requestState seam)', () => {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
  })

  /**
   * A checkout tool that asks the client to confirm (input_required) and carries its cart in the
   * requestState. `caller.id` stands for the verified principal of each round; the elicitation
   * handler can change it between rounds, as a second user replaying the state would.
   */
  async function setup(onElicit: () => void = () => undefined) {
    const caller = { id: 'https://issuer.example#alice' }
    const errors: unknown[] = []
    const state = createRequestStateVerifier(
      createHandleCodec({ keys: { current: { id: 'rs', secret: 's'.repeat(32) } } }),
      {
        principalIdOf: () => caller.id,
      },
    )
    const server = new McpServer(
      { name: 'shop', version: '1.0.0' },
      {
        requestState: { verify: state.verify },
      },
    )
    server.server.onerror = (error) => errors.push(error)
    server.registerTool('checkout', { description: 'checkout with confirmation' }, async (ctx) => {
      const cart = ctx.mcpReq.requestState<{ cart: string }>()
      if (cart === undefined) {
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({
              message: 'Confirm?',
              requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
            }),
          },
          requestState: state.mint(ctx, { cart: 'cart-1' }),
        })
      }
      return { content: [{ type: 'text', text: `checked out ${cart.cart}` }] }
    })
    const client = new Client({ name: 'c', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } })
    client.setRequestHandler('elicitation/create', async () => {
      onElicit()
      return { action: 'accept', content: { ok: true } }
    })
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    await client.connect(clientSide as unknown as ClientMemory)
    closers.push(
      () => client.close(),
      () => server.close(),
    )
    return { client, caller, errors }
  }

  it('hands the verified state to the handler on the next round', async () => {
    const { client } = await setup()
    const result = await client.callTool({ name: 'checkout', arguments: {} })
    expect(result.content).toEqual([{ type: 'text', text: 'checked out cart-1' }])
  })

  it('refuses the state when another principal presents it on the next round', async () => {
    let caller: { id: string } | undefined
    const {
      client,
      errors,
      caller: current,
    } = await setup(() => {
      if (caller !== undefined) caller.id = 'https://issuer.example#mallory'
    })
    caller = current
    await expect(client.callTool({ name: 'checkout', arguments: {} })).rejects.toThrow(
      /Invalid or expired requestState/,
    )
    // The reason reaches the server's onerror only, never the wire.
    expect(errors.map((error) => String((error as Error).message))).toEqual([
      expect.stringContaining('Handle belongs to another principal'),
    ])
  })
})
