# Scenarios for {{name}}, run with:  evident test . scenarios.yaml
scenarios:
  - name: an increment emits incremented
    when:
      command: {type: increment, by: 2}
    then:
      events:
        - {type: counter.incremented, id: counter-2, data: {by: 2, value: 2}}

  - name: the counter goes on from its state
    given:
      state: {value: 40}
      state_format: cbor
    when:
      command: {type: increment, by: 2}
      command_format: cbor
    then:
      events:
        - {id: counter-42, data: {by: 2, value: 42}}

  - name: going over the limit is refused
    parameters: {limit: "10"}
    given:
      state: {value: 9}
      state_format: cbor
    when:
      command: {type: increment, by: 2}
    then:
      error: over-limit

  - name: an unknown command is refused
    when:
      command: {type: reset}
    then:
      error: unknown-command
