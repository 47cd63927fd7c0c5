# Scenarios for {{name}}, run with: evident test . scenarios.yaml
scenarios:
  - name: amounts add up by event type
    given:
      events:
        - {specversion: "1.0", id: "1", source: /shop, type: order.placed, data: {amount: 5}}
        - {specversion: "1.0", id: "2", source: /shop, type: order.paid, data: {amount: 7}}
        - {specversion: "1.0", id: "3", source: /shop, type: order.placed, data: {amount: 10}}
    then:
      state: {by_type: {order.paid: 7, order.placed: 15}}

  - name: an event without data counts for nothing
    given:
      events:
        - {specversion: "1.0", id: "1", source: /shop, type: order.placed}
    then:
      state: {by_type: {}}

  - name: data without an amount is refused
    given:
      events:
        - {specversion: "1.0", id: "9", source: /shop, type: order.placed, data: {total: 5}}
    then:
      error: "event 9: data has no integer `amount`"
